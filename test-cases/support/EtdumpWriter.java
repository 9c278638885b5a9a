import com.google.flatbuffers.FlatBufferBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes ETDump files (size-prefixed flatbuffer, identifier "ED00", ExecuTorch's etdump schema) for tests, the fake
 * executor_runner and the benchmark. Field ids follow the schema (see ../shared/docs/executorch-facts.md §1.2); fields
 * equal to their default are omitted, as flatcc does. Events are written in the order they are added.
 */
public final class EtdumpWriter {
    /** One event; exactly one of the three kinds is set. */
    public sealed interface Ev permits Profile, Alloc, DebugInt {}

    /** A ProfileEvent. delegateIdInt -1 and delegateIdStr null mean "not delegated"; name null means absent. */
    public record Profile(String name, int chainIndex, int instructionId, int delegateIdInt, String delegateIdStr,
                          byte[] metadata, long start, long end) implements Ev {}

    public record Alloc(int allocatorId, long size) implements Ev {}

    /** A DebugEvent whose value is an Int. */
    public record DebugInt(long chainIndex, int instructionId, long value, String name) implements Ev {}

    /** A RunData block. */
    public record Block(String name, int bundledInputIndex, List<String> allocators, List<Ev> events) {}

    private final List<Block> blocks = new ArrayList<>();
    private List<Ev> current;

    public EtdumpWriter block(String name) { return block(name, -1, List.of()); }

    public EtdumpWriter block(String name, int bundledInputIndex, List<String> allocators) {
        current = new ArrayList<>();
        blocks.add(new Block(name, bundledInputIndex, allocators, current));
        return this;
    }

    /** A framework or operator event (name set, not delegated). */
    public EtdumpWriter op(String name, int instructionId, long start, long end) {
        return add(new Profile(name, name.startsWith("Method::") || name.startsWith("Program::") ? -1 : 0,
                name.startsWith("Method::") || name.startsWith("Program::") ? 0 : instructionId, -1, null, null, start, end));
    }

    /** A delegate event as XNNPACK writes it: string id, no name, empty metadata, chain 0. */
    public EtdumpWriter delegate(String id, int instructionId, long start, long end) {
        return add(new Profile(null, 0, instructionId, -1, id, new byte[0], start, end));
    }

    public EtdumpWriter add(Ev e) {
        if (current == null) throw new IllegalStateException("start a block first");
        current.add(e);
        return this;
    }

    /** The complete file: [u32 size][root offset]["ED00"]... */
    public byte[] finish() {
        FlatBufferBuilder b = new FlatBufferBuilder(1024 + blocks.size() * 4096);
        int[] runs = new int[blocks.size()];
        for (int i = 0; i < blocks.size(); i++) runs[i] = runData(b, blocks.get(i));
        int runVec = b.createVectorOfTables(runs);
        b.startTable(2);
        b.addOffset(1, runVec, 0);
        int root = b.endTable();
        b.finishSizePrefixed(root, "ED00");
        return b.sizedByteArray();
    }

    private static int runData(FlatBufferBuilder b, Block blk) {
        int[] evs = new int[blk.events().size()];
        for (int i = 0; i < evs.length; i++) evs[i] = event(b, blk.events().get(i));
        int evVec = b.createVectorOfTables(evs);
        int[] allocs = new int[blk.allocators().size()];
        for (int i = 0; i < allocs.length; i++) {
            int n = b.createString(blk.allocators().get(i));
            b.startTable(1);
            b.addOffset(0, n, 0);
            allocs[i] = b.endTable();
        }
        int allocVec = allocs.length == 0 ? 0 : b.createVectorOfTables(allocs);
        int name = b.createString(blk.name());
        b.startTable(4);
        b.addOffset(0, name, 0);
        b.addInt(1, blk.bundledInputIndex(), -1);
        if (allocVec != 0) b.addOffset(2, allocVec, 0);
        b.addOffset(3, evVec, 0);
        return b.endTable();
    }

    private static int event(FlatBufferBuilder b, Ev e) {
        int slot, child;
        if (e instanceof Profile p) {
            slot = 0;
            int name = p.name() == null ? 0 : b.createString(p.name());
            int dstr = p.delegateIdStr() == null ? 0 : b.createString(p.delegateIdStr());
            int meta = p.metadata() == null ? 0 : b.createByteVector(p.metadata());
            b.startTable(8);
            b.addLong(7, p.end(), 0);
            b.addLong(6, p.start(), 0);
            if (name != 0) b.addOffset(0, name, 0);
            b.addInt(1, p.chainIndex(), 0);
            b.addInt(2, p.instructionId(), -1);
            b.addInt(3, p.delegateIdInt(), -1);
            if (dstr != 0) b.addOffset(4, dstr, 0);
            if (meta != 0) b.addOffset(5, meta, 0);
            child = b.endTable();
        } else if (e instanceof Alloc a) {
            slot = 1;
            b.startTable(2);
            b.addLong(1, a.size(), 0);
            b.addInt(0, a.allocatorId(), 0);
            child = b.endTable();
        } else {
            DebugInt d = (DebugInt) e;
            slot = 2;
            b.startTable(1);
            b.addLong(0, d.value(), 0);
            int intTable = b.endTable();
            b.startTable(8);
            b.addByte(0, (byte) 1, 0);
            b.addOffset(3, intTable, 0);
            int value = b.endTable();
            int name = d.name() == null ? 0 : b.createString(d.name());
            b.startTable(6);
            b.addLong(0, d.chainIndex(), 0);
            b.addInt(1, d.instructionId(), -1);
            b.addOffset(2, value, 0);
            if (name != 0) b.addOffset(5, name, 0);
            child = b.endTable();
        }
        b.startTable(3);
        b.addOffset(slot, child, 0);
        return b.endTable();
    }

    /** One XNNPACK operator of a synthetic model: its event name without the "#k" suffix and its duration in µs. */
    public record XnnOp(String type, long micros) {}

    /**
     * A runtime-shaped ETDump of one fully delegated model: a Default block (Method::init inside Program::load_method)
     * and one Execute block per run, each with the XNNPACK operator events (synthesised back to back, whole
     * microseconds, "#k" numbering per type), DELEGATE_CALL (instruction 0) and Method::execute, inner events first.
     * perRunScale[i] multiplies every duration of run i (1.0 when null or short).
     */
    public static EtdumpWriter delegatedModel(List<XnnOp> ops, int runs, double[] perRunScale) {
        EtdumpWriter w = new EtdumpWriter().block("Default");
        long t = 1_000_000;
        w.op("Method::init", 0, t + 1000, t + 3_000_000).op("Program::load_method", 0, t, t + 3_100_000);
        t += 4_000_000;
        for (int r = 0; r < runs; r++) {
            double scale = perRunScale != null && r < perRunScale.length ? perRunScale[r] : 1.0;
            w.block("Execute");
            long execStart = t, callStart = t + 2_000, opT = callStart + 1_000;
            java.util.Map<String, Integer> seen = new java.util.HashMap<>();
            for (XnnOp op : ops) {
                long dur = Math.max(1, Math.round(op.micros() * scale)) * 1000;
                int k = seen.merge(op.type(), 1, Integer::sum);
                w.delegate(op.type() + " #" + k, 0, opT, opT + dur);
                opT += dur;
            }
            long callEnd = opT + 3_000;
            w.op("DELEGATE_CALL", 0, callStart, callEnd);
            long execEnd = callEnd + 4_000;
            w.op("Method::execute", 0, execStart, execEnd);
            t = execEnd + 50_000;
        }
        return w;
    }

    /** The 32 operators of the shipped MobileNetV1-like model (names as the real runner reports them). */
    public static List<XnnOp> mobilenetLikeOps() {
        List<XnnOp> ops = new ArrayList<>();
        ops.add(new XnnOp("Transpose (ND, X32)", 40));
        ops.add(new XnnOp("Convolution (NHWC, F32) IGEMM", 180));
        for (int i = 0; i < 13; i++) {
            ops.add(new XnnOp("Convolution (NHWC, F32) DWConv", 30 + 5 * (i % 4)));
            ops.add(new XnnOp("Fully Connected (NC, F32) GEMM", 70 + 10 * (i % 5)));
        }
        ops.add(new XnnOp("Mean (ND) Reduce2", 12));
        ops.add(new XnnOp("Fully Connected (NC, F32) GEMM", 25));
        ops.add(new XnnOp("Static Reshape (NC)", 1));
        ops.add(new XnnOp("Transpose (ND, X32)", 2));
        return ops;
    }
}
