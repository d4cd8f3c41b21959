# tests/fuzz: (filled in by its owner)
