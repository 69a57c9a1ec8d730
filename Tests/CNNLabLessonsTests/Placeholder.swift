// Keeps this test target buildable from a fresh clone until its first tests exist.
