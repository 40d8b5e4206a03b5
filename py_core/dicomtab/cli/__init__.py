"""The ``dicomtab`` command line: the same core as the browser, for pipelines and tests."""
