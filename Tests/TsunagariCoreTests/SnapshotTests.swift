import Foundation
import Testing
@testable import TsunagariCore

@Suite struct SnapshotTests {
    /// Writes a snapshot of numbers, strings and arrays (one over the writer's chunk, so it is flushed in parts).
    static func sample(kind: String = "test index", format: UInt32 = 3) throws -> (bytes: [UInt8], flushes: Int) {
        var bytes: [UInt8] = []
        var flushes = 0
        var writer = SnapshotWriter(kind: kind, format: format) { chunk in
            bytes += chunk
            flushes += 1
        }
        writer.write(Int64(-42))
        writer.write("東京 engineer")
        writer.write(3.25)
        writer.write((0..<1_500_000).map { UInt32($0 * 7) })
        writer.write([Float(1.5), 0, -2])
        writer.write([UInt16]())
        writer.write("")
        writer.writeElements([UInt8(1), 2, 3])
        let total = try writer.finish()
        #expect(total == bytes.count)
        return (bytes, flushes)
    }

    @Test func whatIsWrittenIsReadBack() throws {
        let (bytes, flushes) = try Self.sample()
        #expect(flushes > 1, "a snapshot larger than a chunk is handed over in parts")
        #expect(bytes.count % 8 == 0)
        try bytes.withUnsafeBytes { raw in
            var reader = try SnapshotReader(raw, kind: "test index", formats: 1...3)
            #expect(reader.format == 3)
            #expect(try reader.read(Int64.self) == -42)
            #expect(try reader.readString() == "東京 engineer")
            #expect(try reader.readDouble() == 3.25)
            let numbers = try reader.readArray(UInt32.self)
            #expect(numbers.count == 1_500_000 && numbers[1_499_999] == 1_499_999 * 7)
            #expect(try reader.readFloats() == [1.5, 0, -2])
            #expect(try reader.readArray(UInt16.self) == [])
            #expect(try reader.readString() == "")
            #expect(try reader.readElements(UInt8.self, count: 3) == [1, 2, 3])
            #expect(reader.isAtEnd)
        }
    }

    @Test func aDamagedByteIsFound() throws {
        var (bytes, _) = try Self.sample()
        for position in [40, bytes.count / 2, bytes.count - 9] {
            var damaged = bytes
            damaged[position] ^= 0x10
            #expect(throws: SnapshotError.self) {
                try damaged.withUnsafeBytes { raw in _ = try SnapshotReader(raw, kind: "test index", formats: 3...3) }
            }
        }
        // A page of zeros, as a crash can leave one.
        for i in 8_192..<12_288 { bytes[i] = 0 }
        #expect(throws: SnapshotError.self) {
            try bytes.withUnsafeBytes { raw in _ = try SnapshotReader(raw, kind: "test index", formats: 3...3) }
        }
    }

    @Test func aSnapshotCutShortIsRefused() throws {
        let (bytes, _) = try Self.sample()
        for length in [0, 7, 24, bytes.count / 2 / 8 * 8, bytes.count - 8] {
            #expect(throws: SnapshotError.self) {
                try Array(bytes.prefix(length)).withUnsafeBytes { raw in _ = try SnapshotReader(raw, kind: "test index", formats: 3...3) }
            }
        }
    }

    @Test func anotherKindOrFormatIsRefused() throws {
        let (bytes, _) = try Self.sample()
        #expect(throws: SnapshotError("a snapshot of test index, not of graph index")) {
            try bytes.withUnsafeBytes { raw in _ = try SnapshotReader(raw, kind: "graph index", formats: 3...3) }
        }
        #expect(throws: SnapshotError("format 3 of the test index snapshot is not one this version reads")) {
            try bytes.withUnsafeBytes { raw in _ = try SnapshotReader(raw, kind: "test index", formats: 4...5) }
        }
        let other = Array("not a snapshot at all, just some text of some length".utf8).prefix(48)
        #expect(throws: SnapshotError("not a Tsunagari snapshot")) {
            try Array(other).withUnsafeBytes { raw in _ = try SnapshotReader(raw, kind: "test index", formats: 3...3) }
        }
    }

    @Test func aLengthPastTheEndIsRefusedNotRead() throws {
        // A well-formed snapshot (the checksum matches) whose array claims more elements than there are bytes.
        var bytes: [UInt8] = []
        var writer = SnapshotWriter(kind: "test index", format: 1) { bytes += $0 }
        writer.write(UInt64(1_000_000))
        writer.write(UInt32(5))
        try writer.finish()
        try bytes.withUnsafeBytes { raw in
            var reader = try SnapshotReader(raw, kind: "test index", formats: 1...1)
            #expect(throws: SnapshotError.self) { _ = try reader.readArray(UInt32.self) }
        }
    }

    @Test func aFailedFlushIsThrownByFinish() throws {
        struct Full: Error {}
        var writer = SnapshotWriter(kind: "test index", format: 1) { _ in throw Full() }
        writer.write((0..<2_000_000).map { UInt32($0) })
        #expect(throws: Full.self) { try writer.finish() }
    }
}
