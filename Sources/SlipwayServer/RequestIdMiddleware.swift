import HTTPTypes
import Hummingbird
import Logging
import SlipwayCore

/// Gives every request an id (the caller's `X-Request-Id` when it is a sane one), puts it in the
/// logger's metadata and answers it back, and logs each request once with its status and time.
struct RequestIdMiddleware: RouterMiddleware {
    typealias Context = AppContext
    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        let offered = request.headers[Self.header].flatMap { value in
            value.count <= 64 && value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
                ? value : nil
        }
        context.requestId = offered ?? Identifier.make("req")
        context.logger[metadataKey: "request_id"] = .string(context.requestId)
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ErrorResponse.response(for: error, context: context)
        }
        response.headers[Self.header] = context.requestId
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
                "status": "\(response.status.code)",
                "duration": "\(started.duration(to: .now))",
            ])
        return response
    }
}
