package io.sluice.client;

/**
 * How a producer compresses the records of each batch, as Kafka's {@code compression.type}. The broker stores and
 * serves batches as sent; consumers decompress.
 */
public enum CompressionType
{
    /** As they are. */
    NONE,
    /**
     * LZ4 block compression of each batch's records (the header stays readable). A batch that LZ4 would not make
     * shorter is sent uncompressed.
     */
    LZ4
}
