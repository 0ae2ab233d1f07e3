"""Bulk import of passports from files (issue 17): Catena-X JSON documents or JSON lines, and the CSV/XLSX
templates generated from the field catalogue. A worker checks every row first, then imports in chunks that
each commit together with the job's resume point, so a killed worker's job continues where it stopped.

- `formats`: the templates, and reading uploaded files row by row (streamed);
- `services`: starting a job, the worker's run, the sweep, the error reports;
- `selectors`: the jobs an actor may see (`ImportJob.objects.restrict`, rule in `passports.access`).
"""
