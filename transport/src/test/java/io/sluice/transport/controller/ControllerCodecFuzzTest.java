package io.sluice.transport.controller;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.codecs.controller.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Fuzzing the controller protocol's decoder, which both sides reach: a quorum member decodes what brokers send, a
 * broker what the quorum sends. Whatever the bytes, {@link ControllerCodec#decode} hands the handler a message
 * or reports it malformed; it never throws, and every record it hands over is whole (its strings and lists there).
 * The header's schema id is fixed up so the fuzzer gets into the messages. In the default test run the inputs under
 * {@code ControllerCodecFuzzTestInputs} are replayed; {@code JAZZER_FUZZ=1} fuzzes (see the transport README).
 */
class ControllerCodecFuzzTest
{
    private static final ControllerCodec CODEC = new ControllerCodec();
    private static final ControllerCodec.Handler HANDLER = new ControllerCodec.Handler()
    {
        public void onRecord(final MetadataRecord record, final long metadataVersion)
        {
            Objects.requireNonNull(record.toString());
        }

        public void onMalformed(final String reason)
        {
            Objects.requireNonNull(reason);
        }
    };

    @FuzzTest(maxDuration = "60s")
    void shouldDecodeAnyControllerMessageWithoutThrowing(final byte[] data)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(data);
        if (data.length >= 8)
        {
            buffer.putShort(4, (short)MessageHeaderDecoder.SCHEMA_ID, ByteOrder.LITTLE_ENDIAN);
        }
        CODEC.decode(buffer, 0, data.length, HANDLER);
    }
}
