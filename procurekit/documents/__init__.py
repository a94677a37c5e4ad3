"""Documents from the rules: rendering, HTML to Markdown/DOCX/PDF, charts, clauses, tender, report."""
