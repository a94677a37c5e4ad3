"""The contract dataset: its tables, the CSV and xlsx readers, the Excel template, the facts."""
