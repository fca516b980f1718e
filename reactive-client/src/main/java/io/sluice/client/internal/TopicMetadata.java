package io.sluice.client.internal;

/**
 * What a client needs of a topic to produce to and fetch from it.
 *
 * @param name            of the topic.
 * @param topicId         the broker's id for it.
 * @param partitions      count.
 * @param maxMessageBytes largest batch the topic takes and a fetch may have to carry.
 */
record TopicMetadata(String name, int topicId, int partitions, int maxMessageBytes)
{
    /** The topic configuration key of the largest batch. */
    static final String MAX_MESSAGE_BYTES_CONFIG = "max.message.bytes";
}
