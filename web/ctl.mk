# web: (filled in by its owner)
