package io.sluice.transport;

import io.sluice.codecs.client.FetchDataEncoder;
import io.sluice.codecs.client.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The client's check of fetch data frames, which carry a uint32 records length like produce requests.
 */
class ClientResponseAdapterTest
{
    @ParameterizedTest
    @ValueSource(longs = {0x7FFF_FFFFL, 0x7FFF_FFF0L, 0x8000_0000L, 0xFFFF_FFFFL, 33})
    void shouldCountFetchDataAsMalformedWhenTheRecordsLengthRunsPastTheFrame(final long recordsLength)
    {
        final ClientResponseAdapter adapter = new ClientResponseAdapter();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = fetchData(buffer, 32);
        adapter.onFragment(buffer, 0, length, null);
        assertEquals(0, adapter.malformedResponses(), "the valid frame");

        buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + FetchDataEncoder.BLOCK_LENGTH, (int)recordsLength,
            ByteOrder.LITTLE_ENDIAN);
        adapter.onFragment(buffer, 0, length, null);
        assertEquals(1, adapter.malformedResponses(), "records length " + recordsLength);
    }

    private static int fetchData(final UnsafeBuffer buffer, final int recordsLength)
    {
        final FetchDataEncoder encoder = new FetchDataEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .sessionId(1)
            .topicId(2)
            .partition(3)
            .fromOffset(0)
            .toOffset(0)
            .highWatermark(1)
            .putRecords(new byte[recordsLength], 0, recordsLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }
}
