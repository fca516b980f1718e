package io.sluice.broker;

import io.sluice.engine.LogConfig;
import io.sluice.engine.PartitionLog;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The topics the broker serves, by name and by id. Ids are given out in order from 1 while the broker runs and
 * are never reused, so a request naming a deleted topic's id fails instead of reaching a new topic; they are not
 * persisted, so clients look them up again after a broker restart (their connection is new anyway).
 * <p>
 * Owned by the broker agent.
 */
final class TopicRegistry
{
    /** Names starting with this belong to the broker ({@code __consumer_offsets}); clients cannot create them. */
    static final String INTERNAL_PREFIX = "__";

    private final TreeMap<String, Topic> byName = new TreeMap<>();
    private final Int2ObjectHashMap<Topic> byId = new Int2ObjectHashMap<>();
    private int nextId = 1;

    /**
     * In a cluster, topic ids are the controller's, counted from 1; the broker's own internal topics take ids from
     * the top of the range instead, so the two never meet.
     */
    void internalIdsFromTop()
    {
        nextId = Integer.MAX_VALUE - 1000;
    }

    Topic add(final String name, final List<PartitionLog> logs, final LogConfig config)
    {
        final Topic topic = new Topic(name, nextId++, logs.toArray(new PartitionLog[0]), config);
        byName.put(name, topic);
        byId.put(topic.id, topic);
        return topic;
    }

    /**
     * Register a topic of a cluster under the controller's id.
     */
    Topic add(final Topic topic)
    {
        byName.put(topic.name, topic);
        byId.put(topic.id, topic);
        return topic;
    }

    Topic remove(final String name)
    {
        final Topic topic = byName.remove(name);
        if (null != topic)
        {
            byId.remove(topic.id);
        }
        return topic;
    }

    Topic byName(final String name)
    {
        return byName.get(name);
    }

    Topic byId(final int id)
    {
        return byId.get(id);
    }

    List<Topic> all()
    {
        return new ArrayList<>(byName.values());
    }
}
