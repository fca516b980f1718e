package io.sluice.perf.e2e;

import java.nio.ByteOrder;

/**
 * Layout of the value of every record the e2e harness sends, little-endian; the rest of the value, up to the record
 * size, is zeros:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Due time (System.nanoTime)                  |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Sequence                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Zeros up to the record size                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The due time is when the record was meant to be sent, in the harness's clock; the consumer, in the same process,
 * subtracts it from the time it receives the record.
 */
final class E2ePayloadDescriptor
{
    static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int DUE_TIME_OFFSET = 0;
    static final int SEQUENCE_OFFSET = DUE_TIME_OFFSET + Long.BYTES;
    static final int MIN_LENGTH = SEQUENCE_OFFSET + Long.BYTES;

    private E2ePayloadDescriptor()
    {
    }
}
