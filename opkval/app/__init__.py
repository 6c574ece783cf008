"""The command line and the batch of all 98."""
