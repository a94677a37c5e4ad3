"""Rule sets: the file models, loading with `extends`, dated parameters, subjects and fields."""
