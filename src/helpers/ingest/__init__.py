"""Platform exports in, canonical tables out: readers, export kinds, the mapping engine and the local store."""
