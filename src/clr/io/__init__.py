"""Reading and writing files.

The YAML readers, the text splicer and editor, the one atomic writer, resources, the
result cache and the process pool.
"""
