"""The production storage of static files: whitenoise's compressed manifest storage, gzip only.

Wiring, like the rest of this package: settings.py names it when DEBUG is off. WeasyPrint (the
region's report as a PDF) brings the brotli module with it, and whitenoise writes a Brotli copy of
every static file as soon as brotli can be imported, at its slowest setting: `collectstatic` went
from seconds to about three minutes on the shared 2-core box (42 s of CPU for 500 files), longer
than the production tests wait for a server to start and than a deploy should, for files a little
smaller than their gzip copies. gzip alone is what the app served before.
"""

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class GzipManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs):
        return Compressor(use_brotli=False, **kwargs)
