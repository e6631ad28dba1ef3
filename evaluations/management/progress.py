"""A progress bar for long management commands, redrawn in place, on a terminal only: a log (cron,
CI) gets nothing but the command's summary line. Its call has the shape of a job's progress
(`progress(done, total, step)`), so the same code reports to a terminal or to a Job row."""

BAR_WIDTH = 30


class ProgressBar:
    def __init__(self, stdout):
        self.stdout = stdout
        self.drawn = False

    def __call__(self, done, total, step=""):
        filled = BAR_WIDTH * done // total if total else 0
        self.stdout.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {step:<30}", ending="")
        self.stdout.flush()
        self.drawn = True
        return True

    def end(self):
        """End the bar's line, so the summary starts on a line of its own."""
        if self.drawn:
            self.stdout.write("")
            self.drawn = False


def progress_bar(command, options):
    """The command's bar, or None when its output is not a terminal or --verbosity is 0."""
    if command.stdout.isatty() and options.get("verbosity", 1) > 0:
        return ProgressBar(command.stdout)
    return None
