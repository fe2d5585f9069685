import Hummingbird
import Logging
import NIOCore

/// The per-request context: the request id, and the peer's address for the audit log.
public struct AppContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var requestId: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.requestId = ""
    }

    /// Bodies are small JSON documents; anything larger is refused with 413 before it is read.
    public var maxUploadSize: Int { 1024 * 1024 }
}
