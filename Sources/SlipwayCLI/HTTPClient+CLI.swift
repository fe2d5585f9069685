import AsyncHTTPClient

extension HTTPClient {
    /// The CLI's client. Unlike `HTTPClient.shared`, it does not retry a refused connection
    /// until the request's deadline: a person is waiting, and "is `slipway serve` running?"
    /// should come at once, not after 30 seconds.
    static let cli: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(5))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
