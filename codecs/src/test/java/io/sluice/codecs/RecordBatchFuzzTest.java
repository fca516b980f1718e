package io.sluice.codecs;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzing the record batch decoder, the one check every batch a client or a leader sends passes: whatever the
 * bytes, {@link RecordBatchDescriptor#verify} answers a length or an error code, never throws, and a batch it
 * accepts can be read to its end by {@link RecordBatchView}. In the default test run the inputs under
 * {@code RecordBatchFuzzTestInputs} are replayed; {@code JAZZER_FUZZ=1} fuzzes (see the codecs README).
 */
class RecordBatchFuzzTest
{
    @FuzzTest(maxDuration = "60s")
    void shouldVerifyAnyBytesWithoutThrowing(final byte[] data)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(data);
        final int length = RecordBatchDescriptor.verify(buffer, 0, data.length, data.length);
        if (length > 0)
        {
            assertTrue(length <= data.length);
            final RecordBatchView view = new RecordBatchView().wrap(buffer, 0);
            int records = 0;
            while (view.nextRecord())
            {
                view.key();
                view.value();
                while (view.nextHeader())
                {
                    view.headerKey();
                    view.headerValue();
                }
                records++;
            }
            assertTrue(records == view.recordCount(), "every record read");
        }
        else
        {
            assertTrue(length >= RecordBatchDescriptor.UNSUPPORTED_COMPRESSION, "an error code: " + length);
        }
    }

    /**
     * The same with the batch length and CRC fixed up first, so that the fuzzer gets past them and into the records
     * (bytes with a random CRC are refused before any record is read).
     */
    @FuzzTest(maxDuration = "60s")
    void shouldVerifyAnyRecordsUnderAValidCrcWithoutThrowing(final byte[] data)
    {
        if (data.length >= RecordBatchDescriptor.RECORDS_OFFSET)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(data);
            buffer.putInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET, data.length, java.nio.ByteOrder.LITTLE_ENDIAN);
            RecordBatchDescriptor.updateCrc(buffer, 0);
        }
        shouldVerifyAnyBytesWithoutThrowing(data);
    }
}
