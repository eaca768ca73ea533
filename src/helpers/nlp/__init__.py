"""Language tools several analyses share: segmentation, labelled corpora, sentiment."""
