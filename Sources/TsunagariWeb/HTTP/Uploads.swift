import Foundation
import Hummingbird
import MultipartKit
import NIOCore
import TsunagariCore

/// A file sent with a page form (`multipart/form-data`).
public struct UploadedFile: Sendable {
    public var fileName: String
    public var contentType: String?
    public var data: Data
}

/// Reading `multipart/form-data` bodies with MultipartKit's streaming parser: the text fields become the page form,
/// the files are kept by field name.
enum MultipartForm {
    /// The paths whose forms carry files, and so may be as large as an upload (every other form stays at 1 MB).
    static let uploadPaths: Set<String> = ["/me/data/import", "/me/contacts/import", "/me/photo", "/me/banner"]

    /// The boundary parameter of a `multipart/form-data` content type; nil for any other type.
    static func boundary(_ contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let type = parts.first, type.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            // RFC 2046: 1 to 70 characters. MultipartKit stops the process on an empty one, so it is checked here.
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    static func parse(_ body: ByteBuffer, boundary: String) throws -> (fields: FormData, files: [String: UploadedFile]) {
        final class Collector {
            var headers: [String: String] = [:]
            var bytes: [UInt8] = []
            var fields = FormData()
            var files: [String: UploadedFile] = [:]
            var failed = false
        }
        let collector = Collector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in collector.headers[name.lowercased()] = value }
        parser.onBody = { buffer in collector.bytes.append(contentsOf: buffer.readableBytesView) }
        parser.onPartComplete = {
            defer {
                collector.headers = [:]
                collector.bytes = []
            }
            guard let disposition = collector.headers["content-disposition"], let name = parameter("name", in: disposition) else {
                collector.failed = true
                return
            }
            if let fileName = parameter("filename", in: disposition) {
                // A file input left empty sends a part with no name and no bytes: no file.
                guard !fileName.isEmpty || !collector.bytes.isEmpty else { return }
                collector.files[name] = UploadedFile(
                    fileName: fileName, contentType: collector.headers["content-type"], data: Data(collector.bytes))
            } else if let text = String(validating: collector.bytes, as: UTF8.self) {
                collector.fields.values[name, default: []].append(text)
            } else {
                collector.failed = true
            }
        }
        do {
            try parser.execute(body)
        } catch {
            throw DomainError(.malformed, code: "malformed_form", message: "The form could not be read.")
        }
        guard !collector.failed else { throw DomainError(.malformed, code: "malformed_form", message: "The form could not be read.") }
        return (collector.fields, collector.files)
    }

    /// `name="value"` in a Content-Disposition header; the file name is its last path component (old browsers sent
    /// whole paths).
    static func parameter(_ key: String, in header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if key == "filename" { value = String(value.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "") }
            return value
        }
        return nil
    }
}

extension Request {
    /// The whole body, up to an upload's limit: 413 `too_large` past it.
    mutating func collectUpload(limit: Int) async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw DomainError(.tooLarge, code: "too_large", message: "Uploads are limited to \(limit / (1024 * 1024)) MB.")
        }
    }
}
