// docs/redaction.md (Swift): an audit listener of the app.
final class PrintingListener: AuditListener {
    func onEvent(event: AuditEvent) { print(event) }
}
let myListener = PrintingListener()
