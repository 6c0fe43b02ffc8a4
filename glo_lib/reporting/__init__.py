"""What a reader sees: figures, display helpers, the explorer panel, the PDF build and the CLI."""
