import CVulkan
import Compute
import Foundation
import Tensors

/// belm's Vulkan compute backend: the `Backend` contract run by GLSL compute shaders on the chosen device
/// (discrete GPU, then integrated, then the CPU device, lavapipe). Tensors live in a device arena in their
/// logical row-major layout (weights in the layout their kernel reads, once one has); ops are recorded into command buffers and submitted in batches; reading values
/// back (`values(of:)`) submits and waits.
public final class VulkanBackend: Backend {
    /// What a tensor's storage is on this backend: its row-major values in an arena region, until a GEMM or
    /// convolution kernel first reads it as a weight. Then the values are repacked into that kernel's layout and
    /// the row-major copy is released, so a weight holds one device copy (every packing can be gathered back, see
    /// `VulkanBackend.region(_:)`). Winograd transforms cannot be, so they are kept beside whatever else is held.
    /// Tensors are immutable, so the copies never go stale.
    final class Storage {
        /// The row-major values; nil once a packed layout holds them.
        var rowMajor: DeviceRegion?
        /// How the values are stored: fp16 for a weight uploaded at that precision (`weight(_:precision:)`), whose
        /// row-major values and packed layouts then hold 2 bytes each where the kernels can read them so, and for an
        /// fp16 activation (`stored(_:as:)`, `finished(_:)`). An fp16 tensor whose storage is fp32 holds the
        /// fp16-rounded values (an op's output until it is narrowed).
        let precision: Precision
        var packed: [PackedLayout: DeviceRegion] = [:]
        /// Winograd-transformed weights, by the weight's shape.
        var winograd: [[Int]: DeviceRegion] = [:]
        init(_ region: DeviceRegion, precision: Precision = .fp32) {
            rowMajor = region
            self.precision = precision
        }
    }

    public let name = "vulkan"
    let context: VulkanContext
    let arena: DeviceArena
    let kernels: KernelLibrary
    let stream: CommandStream
    /// The GEMM and convolution kernels in use.
    public let kernelFamily: KernelFamily
    /// Whether the CPU device's family runs 3×3 stride-1 convolutions as Winograd F(4×4, 3×3) (4× fewer
    /// multiplications; results differ from direct convolution by rounding only). On unless `BELM_VULKAN_WINOGRAD=0`.
    public var winograd: Bool
    /// Whether kernels with an fp16 store path write fp16 outputs themselves (`output(_:storedAs:kernelStoresHalf:)`);
    /// tests turn it off to compare them with the narrowing pass, bit for bit.
    var kernelsStoreHalf = true
    /// The environment variable that turns the Winograd convolutions off (`0`).
    public static let winogradEnvironmentVariable = "BELM_VULKAN_WINOGRAD"

    /// - Parameters:
    ///   - deviceIndex: the device to use (an index in `VulkanDevices.list()`); nil chooses by kind, or takes
    ///     `BELM_VULKAN_DEVICE` from the environment.
    ///   - validation: enable the Khronos validation layer when it is installed; its messages go to `validationMessages`.
    ///   - kernelFamily: the GEMM/convolution kernels; nil takes `BELM_VULKAN_KERNELS`, else chooses by device kind.
    ///   - cooperativeMatrices: run fp16-weight GEMMs and convolutions on the cooperative-matrix kernel where the
    ///     device has it (`usesCooperativeMatrices` says whether it does); nil takes `BELM_VULKAN_COOPMAT`, off by default.
    public init(deviceIndex: Int? = nil, validation: Bool = false, kernelFamily: KernelFamily? = nil,
                cooperativeMatrices: Bool? = nil) throws {
        let wantsCooperativeMatrices = try cooperativeMatrices ?? CooperativeMatrixSupport.requestedByEnvironment()
        context = try VulkanContext(validation: validation, deviceIndex: deviceIndex, cooperativeMatrices: wantsCooperativeMatrices)
        self.kernelFamily = try KernelFamily.choose(requested: kernelFamily, device: context.description)
        winograd = ProcessInfo.processInfo.environment[Self.winogradEnvironmentVariable] != "0"
        arena = DeviceArena(context: context)
        kernels = try KernelLibrary(context: context)
        stream = try CommandStream(context: context, kernels: kernels, arena: arena)
    }

    deinit { stream.finish() }

    /// The device the backend runs on.
    public var device: VulkanDeviceDescription { context.description }

    /// Whether fp16-weight GEMMs and convolutions run on the cooperative-matrix kernel (asked for, and the device
    /// has it); otherwise they run on the kernel family's, as they always do by default.
    public var usesCooperativeMatrices: Bool { context.cooperativeMatricesEnabled }

    /// Messages from the validation layer (empty when it is off or found nothing).
    public var validationMessages: [String] { context.instance.validationLog?.messages ?? [] }

    /// Whether the validation layer is active on this backend.
    public var isValidating: Bool { context.instance.validationLog != nil }

    /// The largest tensor, in bytes, that one storage-buffer binding can hold on this device (maxStorageBufferRange,
    /// 128 MiB on lavapipe). Ops whose tensors or working copies are larger stop the process, so callers that can
    /// foresee their shapes (a model at a given resolution) check against this first and report a catchable error.
    public var maxTensorBytes: Int { arena.maxRegionSize }

    /// Device memory held by the arena, in bytes.
    public var reservedDeviceBytes: Int { arena.reservedBytes }

    /// Device memory in use by live tensors, their packed weight layouts and the stream's 256-byte placeholder, in bytes
    /// (each rounded up to the arena's alignment); the rest of `reservedDeviceBytes` is free for reuse.
    public var allocatedDeviceBytes: Int { arena.allocatedBytes }

    /// Command-buffer submissions so far.
    public var submissionCount: Int { stream.submissions }

    /// Per-kernel profiling: while on, each dispatch runs alone and its time is recorded (see `kernelProfile`).
    public var profiling: Bool {
        get { stream.profiling }
        set { synchronize(); stream.profiling = newValue }
    }

    /// Whether the profile's times are the device's own timestamps around each dispatch (else host wall time,
    /// which on a GPU includes a submit-and-wait round trip per dispatch).
    public var profileUsesDeviceTimestamps: Bool { stream.timer.usesTimestamps }

    /// Kernel name → (dispatches, seconds) recorded while `profiling` was on; reading it clears it.
    public func takeKernelProfile() -> [(kernel: String, count: Int, seconds: Double)] {
        defer { stream.resetProfile() }
        return stream.profile.map { (kernel: $0.key.rawValue, count: $0.value.count, seconds: $0.value.seconds) }
            .sorted { $0.seconds > $1.seconds }
    }

    /// Submits all recorded work and waits for it (benchmarks time with this).
    public func synchronize() { stream.finish() }

    // MARK: storage

    func storage(_ tensor: Tensor) -> Storage {
        guard let storage = tensor.storage as? Storage, tensor.backend === self else {
            preconditionFailure("\(tensor) does not belong to this Vulkan backend")
        }
        return storage
    }

    /// The tensor's row-major values. A weight whose values a kernel repacked gets them gathered back into a fresh
    /// region, which is not kept: only the rare op that reads a weight as an ordinary tensor pays that gather.
    func region(_ tensor: Tensor) -> DeviceRegion {
        let storage = self.storage(tensor)
        if let rowMajor = storage.rowMajor {
            return storage.precision == .fp16 ? widened(rowMajor, floats: tensor.count) : rowMajor
        }
        // An fp32 packing where there is one: it holds the values exactly.
        guard let (layout, packed) = storage.packed.min(by: { $0.key.precision.bytes > $1.key.precision.bytes }) else {
            preconditionFailure("\(tensor) holds no values on this Vulkan backend")
        }
        let restored = allocate(floats: layout.valueCount, for: "the values of a repacked \(tensor.shape) weight")
        let (dims, strides) = layout.restoringGather
        gather(into: restored, from: layout.precision == .fp16 ? widened(packed, floats: layout.floats) : packed, dims: dims, strides: strides)
        return restored
    }

    /// Device memory for `floats` values. A request beyond one binding (maxStorageBufferRange) stops the process:
    /// the Backend contract has no error path, so the message names what was being made (`purpose`) and its size.
    func allocate(floats: Int, for purpose: @autoclosure () -> String = "a working buffer") -> DeviceRegion {
        allocate(bytes: floats * 4, for: purpose())
    }

    func allocate(bytes: Int, for purpose: @autoclosure () -> String) -> DeviceRegion {
        do { return try arena.allocate(bytes: bytes) } catch { fatalError("\(purpose()): \(error)") }
    }

    func make(_ region: DeviceRegion, _ shape: [Int]) -> Tensor {
        Tensor(shape: shape, backend: self, storage: Storage(region))
    }

    public func tensor(_ scalars: [Float], shape: [Int]) -> Tensor {
        precondition(shape.reduce(1, *) == scalars.count, "shape \(shape) does not hold \(scalars.count) values")
        let (tensor, region) = output(shape, storedAs: .fp32)
        scalars.withUnsafeBytes { stream.upload($0, to: region) }
        return tensor
    }

    /// fp16 weights go to the device as fp16 (rounded on the host, ties to even): half the upload and half the
    /// memory from the start, since the arena keeps the blocks an fp32 upload would have grown it by.
    public func weight(_ values: HostTensor, precision: Precision) -> Tensor {
        guard precision == .fp16 else { return tensor(values) }
        let region = allocate(bytes: values.scalars.count * 2, for: "fp16 weights of shape \(values.shape)")
        values.scalars.map(HalfPrecision.bits).withUnsafeBytes { stream.upload($0, to: region) }
        return Tensor(shape: values.shape, backend: self, storage: Storage(region, precision: .fp16), precision: .fp16)
    }

    public func values(of tensor: Tensor) -> [Float] {
        let region = self.region(tensor)
        var out = [Float](repeating: 0, count: tensor.count)
        out.withUnsafeMutableBytes { stream.download(region, count: $0.count, into: $0) }
        return out
    }

    // MARK: dispatch helpers

    /// A grid of 64-wide workgroups covering `count` invocations (folded into y past the 65535 limit).
    static func grid(_ count: Int, width: Int = 64) -> (UInt32, UInt32, UInt32) {
        let groups = max(1, (count + width - 1) / width)
        let x = min(groups, 65535)
        return (UInt32(x), UInt32((groups + x - 1) / x), 1)
    }

    /// A grid of `width`-wide workgroups over x, with y and z given (each within the 65535 limit).
    static func grid(x: Int, width: Int = 64, y: Int, z: Int = 1) -> (UInt32, UInt32, UInt32) {
        precondition(y <= 65535 && z <= 65535, "dispatch grid (\(x), \(y), \(z)) exceeds the device's workgroup count limit")
        return (u(max(1, (x + width - 1) / width)), u(max(y, 1)), u(max(z, 1)))
    }

    /// A grid covering `inner` invocations in 64-wide workgroups along x (folded into y past the limit),
    /// times `z` layers.
    static func grid(inner: Int, z: Int) -> (UInt32, UInt32, UInt32) {
        precondition(z <= 65535, "dispatch grid with \(z) layers exceeds the device's workgroup count limit")
        let (x, y, _) = grid(inner)
        return (x, y, u(max(z, 1)))
    }

    /// Rows split into layers of at most 65535 for the y axis: (rows per layer, layers).
    static func fold(_ rows: Int) -> (Int, Int) {
        let perLayer = min(max(rows, 1), 65535)
        return (perLayer, (rows + perLayer - 1) / perLayer)
    }

    static func u(_ value: Int) -> UInt32 {
        precondition(value >= 0 && value <= Int(UInt32.max), "\(value) does not fit a 32-bit index")
        return UInt32(value)
    }
}
