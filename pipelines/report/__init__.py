"""The quarterly priority report: static HTML pages with inline SVG charts, built from the
`published` tables of each publication (build.py is the entry point)."""
