// docs/gateway.md (Kotlin): the JDK's HTTP server.
import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
