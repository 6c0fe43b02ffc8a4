"""One module per notebook: its parameters' checks, its measures-to-table code and its sentences."""
