// Reed–Solomon error correction over GF(256) as QR Codes use it, and the block
// interleaving that spreads each block's codewords across the whole symbol.

/// Arithmetic in GF(2⁸) reduced by the QR polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D).
enum GaloisField {
    /// exp[i] = αⁱ, doubled in length so a product's log sum never needs a modulo.
    static let exp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 512)
        var value = 1
        for power in 0..<255 {
            table[power] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        for power in 255..<512 {
            table[power] = table[power - 255]
        }
        return table
    }()

    /// log[x] for x ≠ 0; log[0] is never read.
    static let log: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for power in 0..<255 {
            table[Int(exp[power])] = power
        }
        return table
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == 0 || b == 0 { return 0 }
        return exp[log[Int(a)] + log[Int(b)]]
    }
}

enum ReedSolomon {
    /// Coefficients of the generator polynomial (x − α⁰)(x − α¹)…(x − α^(degree−1)),
    /// highest power first, with the leading 1 dropped because division never needs it.
    static func generator(degree: Int) -> [UInt8] {
        precondition(degree >= 1 && degree <= 254)
        var coefficients = [UInt8](repeating: 0, count: degree - 1) + [1]
        var root: UInt8 = 1
        for _ in 0..<degree {
            // Multiply the running product by (x − root).
            for index in coefficients.indices {
                coefficients[index] = GaloisField.multiply(coefficients[index], root)
                if index + 1 < coefficients.count {
                    coefficients[index] ^= coefficients[index + 1]
                }
            }
            root = GaloisField.multiply(root, 2)
        }
        return coefficients
    }

    /// The generators for every block length QR Codes use (7 to 30 codewords), built once
    /// because every symbol of the same level would otherwise rebuild them.
    private static let generators: [Int: [UInt8]] = {
        var table: [Int: [UInt8]] = [:]
        for degree in 7...30 {
            table[degree] = generator(degree: degree)
        }
        return table
    }()

    /// The error-correction codewords for one block: the remainder of data·x^degree
    /// divided by the generator polynomial.
    static func remainder(of data: some Collection<UInt8>, degree: Int) -> [UInt8] {
        let divisor = generators[degree] ?? generator(degree: degree)
        var result = [UInt8](repeating: 0, count: degree)
        for byte in data {
            let factor = byte ^ result[0]
            result.removeFirst()
            result.append(0)
            if factor != 0 {
                let logFactor = GaloisField.log[Int(factor)]
                for index in 0..<degree where divisor[index] != 0 {
                    result[index] ^= GaloisField.exp[GaloisField.log[Int(divisor[index])] + logFactor]
                }
            }
        }
        return result
    }

    /// Splits the data codewords into the blocks of this version and level, appends each
    /// block's error correction, and interleaves them codeword by codeword (ISO/IEC 18004
    /// §7.6) so a smudge or tear damages several blocks a little rather than one beyond repair.
    static func codewordsWithErrorCorrection(_ data: [UInt8], version: Int, correction: QRErrorCorrection) -> [UInt8] {
        let blockCount = QRCapacity.blockCount(version: version, correction: correction)
        let eccLength = QRCapacity.eccCodewordsPerBlock(version: version, correction: correction)
        let totalCodewords = QRCapacity.totalCodewords(version: version)
        precondition(data.count == QRCapacity.dataCodewords(version: version, correction: correction))

        // When the total does not divide evenly, the first blocks are one data codeword shorter.
        let longBlockCount = totalCodewords % blockCount
        let shortBlockCount = blockCount - longBlockCount
        let shortDataLength = totalCodewords / blockCount - eccLength

        var dataBlocks: [ArraySlice<UInt8>] = []
        var eccBlocks: [[UInt8]] = []
        dataBlocks.reserveCapacity(blockCount)
        eccBlocks.reserveCapacity(blockCount)
        var start = 0
        for block in 0..<blockCount {
            let length = shortDataLength + (block < shortBlockCount ? 0 : 1)
            let slice = data[start..<(start + length)]
            dataBlocks.append(slice)
            eccBlocks.append(remainder(of: slice, degree: eccLength))
            start += length
        }

        var result: [UInt8] = []
        result.reserveCapacity(totalCodewords)
        for column in 0...shortDataLength {
            for block in dataBlocks where column < block.count {
                result.append(block[block.startIndex + column])
            }
        }
        for column in 0..<eccLength {
            for block in eccBlocks {
                result.append(block[column])
            }
        }
        precondition(result.count == totalCodewords)
        return result
    }
}
