// docs/apikeys.md (Swift): the pepper and a key a client sent.
let pepper = "doc-snippet-pepper-0123456789"
let key = "tw_live_doc_snippet_key"
