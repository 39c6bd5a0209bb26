// docs/apikeys.md (Kotlin): the pepper and a key a client sent.
val pepper = "doc-snippet-pepper-0123456789"
val key = "tw_live_doc_snippet_key"
