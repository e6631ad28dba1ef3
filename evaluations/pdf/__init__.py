"""PDF documents (file formats only, like excel/): the region's evaluation report."""
