import Foundation

/// An index in memory written out as bytes, so that a restarting instance loads it instead of building it again
/// from storage. The layout: a header (`magic`, the kind of index, its format number), the index's own sections,
/// then a checksum of everything before it. `SnapshotReader` refuses bytes whose header, length or checksum does not
/// match: a snapshot from another kind of index or another format, cut short by a crash, or damaged on disk.
///
/// The writer hands its bytes to `flush` a few megabytes at a time (a file, a socket, memory): the domain does no
/// I/O of its own.
public struct SnapshotWriter {
    public static let magic = Array("TSUNAGARI-SNAPSHOT\n".utf8)
    /// Bytes handed to `flush` at a time, a multiple of 8 so that the checksum runs over whole words.
    static let chunk = 4 << 20

    private var buffer: [UInt8] = []
    private var checksum = SnapshotChecksum()
    private let flush: ([UInt8]) throws -> Void
    /// How many bytes were written, the checksum's included once `finish()` returns.
    public private(set) var count = 0

    /// Starts a snapshot of an index of `kind` in layout `format`; `flush` receives the bytes in order.
    public init(kind: String, format: UInt32, flush: @escaping ([UInt8]) throws -> Void) {
        self.flush = flush
        buffer.reserveCapacity(Self.chunk + 4096)
        buffer.append(contentsOf: Self.magic)
        write(kind)
        write(format)
    }

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    public mutating func write(_ value: Double) { write(value.bitPattern) }

    public mutating func write(_ value: Float) { write(value.bitPattern) }

    /// A string as its length and UTF-8 bytes.
    public mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { bytes in
            write(UInt32(bytes.count))
            buffer.append(contentsOf: bytes)
        }
        if buffer.count >= Self.chunk { try? drain(keepingTail: true) }
    }

    /// An array of fixed-width numbers as its length and its elements (little-endian, as every platform Tsunagari
    /// runs on stores them).
    public mutating func write<T: FixedWidthInteger>(_ values: [T]) {
        write(UInt64(values.count))
        writeElements(values)
    }

    public mutating func write(_ values: [Float]) { write(values.map(\.bitPattern)) }

    public mutating func write(_ values: [Double]) { write(values.map(\.bitPattern)) }

    /// Elements without their count (the reader knows it from an earlier section).
    public mutating func writeElements<T: FixedWidthInteger>(_ values: [T]) {
        values.withUnsafeBytes { buffer.append(contentsOf: $0) }
        if buffer.count >= Self.chunk { try? drain(keepingTail: true) }
    }

    /// Hands every whole chunk to `flush`. A failure is remembered and thrown by `finish()`.
    private mutating func drain(keepingTail: Bool) throws {
        if let failure {
            buffer.removeAll(keepingCapacity: true)
            throw failure
        }
        let whole = keepingTail ? buffer.count / 8 * 8 : buffer.count
        guard whole > 0 else { return }
        let out = Array(buffer[0..<whole])
        checksum.add(out)
        buffer.removeFirst(whole)
        count += whole
        do { try flush(out) } catch {
            failure = error
            throw error
        }
    }

    private var failure: (any Error)?

    /// Writes the checksum and hands the rest to `flush`; returns how many bytes the snapshot took.
    @discardableResult
    public mutating func finish() throws -> Int {
        // Pad to whole words, then the checksum of all before it.
        while buffer.count % 8 != 0 { buffer.append(0) }
        try drain(keepingTail: false)
        var tail: [UInt8] = []
        withUnsafeBytes(of: checksum.value.littleEndian) { tail.append(contentsOf: $0) }
        count += tail.count
        try flush(tail)
        return count
    }
}

extension SnapshotWriter {
    /// Writes a whole snapshot: the header, what `body` writes, the checksum; on `queue` when given (a snapshot of
    /// 1,000,000 members takes seconds of one core, too long for a thread of Swift's pool, which serves requests).
    public static func write(
        kind: String, format: UInt32, on queue: DispatchQueue?, flush: @escaping @Sendable ([UInt8]) throws -> Void,
        _ body: @escaping @Sendable (inout SnapshotWriter) -> Void
    ) async throws {
        let write: @Sendable () throws -> Void = {
            var writer = SnapshotWriter(kind: kind, format: format, flush: flush)
            body(&writer)
            try writer.finish()
        }
        guard let queue else { return try write() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async { continuation.resume(with: Result { try write() }) }
        }
    }
}

/// Reads what `SnapshotWriter` wrote, checking every length against the bytes left.
public struct SnapshotReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0
    /// The format number the header gave.
    public private(set) var format: UInt32 = 0

    /// Checks the header and the checksum first: the bytes must be a whole snapshot of `kind` in one of `formats`.
    /// `bytes` must stay valid while the reader is used.
    public init(_ bytes: UnsafeRawBufferPointer, kind: String, formats: ClosedRange<UInt32>) throws(SnapshotError) {
        let magic = SnapshotWriter.magic
        guard bytes.count >= magic.count + 16, bytes.count % 8 == 0 else { throw SnapshotError("the snapshot is cut short") }
        guard bytes.prefix(magic.count).elementsEqual(magic) else { throw SnapshotError("not a Tsunagari snapshot") }
        var checksum = SnapshotChecksum()
        checksum.add(UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 8)]))
        let stored = bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self).littleEndian
        guard stored == checksum.value else { throw SnapshotError("the snapshot's checksum does not match: it is damaged or was cut short") }
        self.bytes = UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 8)])
        offset = magic.count
        let found = try readString()
        guard found == kind else { throw SnapshotError("a snapshot of \(found), not of \(kind)") }
        format = try read(UInt32.self)
        guard formats.contains(format) else { throw SnapshotError("format \(format) of the \(kind) snapshot is not one this version reads") }
    }

    private mutating func take(_ count: Int) throws(SnapshotError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= bytes.count - offset else { throw SnapshotError("the snapshot ends before a section does") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    public mutating func read<T: FixedWidthInteger>(_ type: T.Type) throws(SnapshotError) -> T {
        let raw = try take(MemoryLayout<T>.size)
        return T(littleEndian: raw.loadUnaligned(as: T.self))
    }

    public mutating func readDouble() throws(SnapshotError) -> Double { Double(bitPattern: try read(UInt64.self)) }

    public mutating func readString() throws(SnapshotError) -> String {
        let length = Int(try read(UInt32.self))
        return String(decoding: try take(length), as: UTF8.self)
    }

    /// A count written by `write(_ values:)`, checked against what is left for elements of `size` bytes.
    public mutating func readCount(elementSize size: Int) throws(SnapshotError) -> Int {
        let count = try read(UInt64.self)
        guard count <= UInt64((bytes.count - offset) / max(size, 1)) else { throw SnapshotError("a section's length runs past the snapshot") }
        return Int(count)
    }

    public mutating func readArray<T: FixedWidthInteger>(_ type: T.Type) throws(SnapshotError) -> [T] {
        try readElements(T.self, count: try readCount(elementSize: MemoryLayout<T>.size))
    }

    public mutating func readFloats() throws(SnapshotError) -> [Float] { try readArray(UInt32.self).map(Float.init(bitPattern:)) }

    public mutating func readDoubles() throws(SnapshotError) -> [Double] { try readArray(UInt64.self).map(Double.init(bitPattern:)) }

    /// `count` elements written by `writeElements`.
    public mutating func readElements<T: FixedWidthInteger>(_ type: T.Type, count: Int) throws(SnapshotError) -> [T] {
        guard count > 0 else { return [] }
        let raw = try take(count * MemoryLayout<T>.size)
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
            initialized = count
        }
    }

    /// Whether every byte before the checksum was read: a reader that stops early read another layout.
    public var isAtEnd: Bool { bytes.count - offset < 8 }
}

/// Why a snapshot was not used; the index is then built from storage.
public struct SnapshotError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A 64-bit checksum over whole little-endian words: each word is mixed in by an xor and a multiplication by an odd
/// constant (each step is a bijection, so any change to one word changes the result). It finds torn and damaged
/// files, not tampering.
struct SnapshotChecksum {
    private(set) var value: UInt64 = 0x9E37_79B9_7F4A_7C15

    mutating func add(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { add($0) }
    }

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        let words = bytes.count / 8
        for i in 0..<words {
            let word = bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
            h = (h ^ word) &* 0x0000_0100_0000_01B3
            h ^= h >> 29
        }
        for i in (words * 8)..<bytes.count { h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3 }
        value = h
    }
}
