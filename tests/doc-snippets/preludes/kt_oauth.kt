// docs/oauth.md (Kotlin): the app's refresh-token store, logger and outgoing request.
val store = object { fun save(refreshToken: Any?) {} }
val log = object { fun warn(message: String) {} }
val request = object { fun header(name: String, value: String) {} }
