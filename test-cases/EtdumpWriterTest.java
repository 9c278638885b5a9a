import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

class EtdumpWriterTest {
    @Test
    void writesASizePrefixedEd00Flatbuffer() {
        byte[] bytes = EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), 3, null).finish();
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(bytes.length - 4, bb.getInt(0));
        assertEquals("ED00", new String(bytes, 8, 4, java.nio.charset.StandardCharsets.US_ASCII));
    }
}
