import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The test ETDump encoder writes what the runtime writes: decoded here by hand, field by field (schema ids). */
class EtdumpWriterTest {
    /** Minimal flatbuffer walk: a table's field (uoffset target, 0 when absent). */
    static int field(ByteBuffer b, int table, int id) {
        int vt = table - b.getInt(table);
        if (4 + 2 * id + 2 > (b.getShort(vt) & 0xffff)) return 0;
        int off = b.getShort(vt + 4 + 2 * id) & 0xffff;
        return off == 0 ? 0 : table + off + b.getInt(table + off);
    }

    static List<Integer> vector(ByteBuffer b, int vec) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < b.getInt(vec); i++) out.add(vec + 4 + 4 * i + b.getInt(vec + 4 + 4 * i));
        return out;
    }

    static String string(ByteBuffer b, int at) { return new String(b.array(), at + 4, b.getInt(at), StandardCharsets.UTF_8); }

    @Test
    void writesASizePrefixedEd00FlatbufferWithTheRuntimesBlocksAndEvents() {
        byte[] bytes = EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), 3, null).finish();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(bytes.length - 4, b.getInt(0));
        assertEquals("ED00", new String(bytes, 8, 4, StandardCharsets.US_ASCII));
        int root = 4 + b.getInt(4);
        List<String> names = new ArrayList<>();
        List<Integer> events = new ArrayList<>();
        for (int rd : vector(b, field(b, root, 1))) {
            names.add(string(b, field(b, rd, 0)));
            events.add(vector(b, field(b, rd, 3)).size());
        }
        assertEquals(List.of("Default", "Execute", "Execute", "Execute"), names);
        assertEquals(List.of(2, 34, 34, 34), events, "Method::init + Program::load_method; 32 operators + DELEGATE_CALL + Method::execute");
        int firstOp = field(b, vector(b, field(b, vector(b, field(b, root, 1)).get(1), 3)).get(0), 0);
        assertEquals("Transpose (ND, X32) #1", string(b, field(b, firstOp, 4)), "delegate_debug_id_str");
        assertEquals(0, field(b, firstOp, 0), "XNNPACK delegate events carry no name");
    }
}
