"""The tag inspector: every element of an instance as data, classified, searchable, exportable.

Modules: ``nodes`` (the element tree built once per instance from a pydicom Dataset and the
file's bytes, without reading large binary values), ``tree`` (rows for the page, paths,
full values), ``classify`` (what each element may reveal, from the de-identification table),
``search``, ``export_json`` (the PS3.18 DICOM JSON model), ``export_text`` (dcmdump-style
text and CSV), ``diff`` (two instances; a series), ``partial`` (opening a file, damaged
files included), ``store`` and ``api`` (what the browser worker calls).

Every value leaves this package as text or JSON data, never as markup: the page must put it
into the document as text.
"""
