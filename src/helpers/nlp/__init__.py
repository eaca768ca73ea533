"""Language tools several analyses share: segmentation (segment), sentiment and corpora (vocsenti)."""
