package io.sluice.client.internal;

/**
 * What a client needs of a topic to produce to and fetch from it.
 *
 * @param name            of the topic.
 * @param topicId         the broker's id for it.
 * @param partitions      count.
 * @param maxMessageBytes largest batch the topic takes and a fetch may have to carry.
 * @param leaders         the broker leading each partition when the topic was looked up, -1 for none; not to be
 *                        changed.
 */
record TopicMetadata(String name, int topicId, int partitions, int maxMessageBytes, int[] leaders)
{
    /** The topic configuration key of the largest batch. */
    static final String MAX_MESSAGE_BYTES_CONFIG = "max.message.bytes";

    /**
     * @param partition of the topic.
     * @return the id of the broker that led it when the topic was looked up, or -1 for none.
     */
    int leader(final int partition)
    {
        return leaders[partition];
    }
}
