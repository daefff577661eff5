"""RNN Lab computation layer. Never imports Streamlit (a test enforces it)."""
