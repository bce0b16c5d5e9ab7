import Testing
@testable import Models

@Suite struct ShapesDatasetTests {
    /// FNV-1a over the 8-bit levels of every pixel: a change here means `builtin:shapes` changed for everyone.
    static func checksum(_ set: LabeledImageSet) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for value in set.pixels {
            hash = (hash ^ UInt64(PixelLevels.level(of: value))) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    @Test func splitMixMatchesItsPublishedSequence() {
        // The first outputs for seed 0 of the reference C implementation (Vigna, splitmix64.c).
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func theSetIsDeterministicAndLabelled() {
        let set = ShapesDataset.make(imagesPerClass: 3)
        #expect(set.count == 30)
        #expect(set.imageShape == [3, 32, 32])
        #expect(set.classNames == ["checkers", "cross", "diamond", "disc", "dots", "gradient", "ring", "square", "stripes", "triangle"])
        #expect(set.labels == (0..<30).map { $0 % 10 })
        #expect(Self.checksum(set) == Self.checksum(ShapesDataset.make(imagesPerClass: 3)))
        // Pinned values: these only change if the generator does (then every stored result goes stale).
        #expect(Self.checksum(set) == 11_781_676_891_032_883_857)
        #expect(Self.checksum(ShapesDataset.make()) == 5_910_182_933_083_513_159)
        // A larger set begins with the smaller one.
        let larger = ShapesDataset.make(imagesPerClass: 4)
        #expect(Array(larger.pixels.prefix(set.pixels.count)) == set.pixels)
    }

    @Test func pixelsAreEightBitLevelsInRange() {
        let set = ShapesDataset.make(imagesPerClass: 2)
        for value in set.pixels {
            #expect(value >= -1 && value <= 1)
            #expect(PixelLevels.value(ofLevel: PixelLevels.level(of: value)) == value)
        }
        // Every image shows two colours: no image is flat.
        for image in set.images {
            let spread = image.values.max()! - image.values.min()!
            #expect(spread > 0.3)
        }
        // Images of one class differ from each other.
        #expect(set.image(0) != set.image(10))
    }
}
