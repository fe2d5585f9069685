import Foundation

/// Where a service that listens on a server's loopback answers, seen from the control plane: a local unix
/// socket the SSH transport forwards to the server's `127.0.0.1:PORT` (or to a socket), or, for the
/// control plane's own machine, the TCP port itself.
public enum ServiceEndpoint: Sendable, Equatable, CustomStringConvertible {
    case unixSocket(String)
    case tcp(host: String, port: Int)

    /// The URL of `path` (which starts with `/`) for AsyncHTTPClient.
    func url(_ path: String) throws -> String {
        switch self {
        case .unixSocket(let socket):
            guard let host = socket.addingPercentEncoding(withAllowedCharacters: .urlHostAllowed) else {
                throw ServiceHTTPError(message: "bad socket path \(socket)", status: nil)
            }
            return "http+unix://\(host)\(path)"
        case .tcp(let host, let port):
            return "http://\(host):\(port)\(path)"
        }
    }

    public var description: String {
        switch self {
        case .unixSocket(let path): "unix://\(path)"
        case .tcp(let host, let port): "\(host):\(port)"
        }
    }
}
