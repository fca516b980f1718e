package io.sluice.transport.controller;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The cluster metadata image: brokers, topics and partitions at one version. The controller's state machine holds
 * the authoritative copy; every broker holds a copy it keeps up to date from the controller's records. Iteration is
 * in id order everywhere, so the state machine, which iterates it, stays deterministic on every cluster member.
 * Not thread-safe: one thread owns an instance.
 */
public final class ClusterMetadata
{
    private final TreeMap<Integer, BrokerInfo> brokers = new TreeMap<>();
    private final TreeMap<Long, TopicInfo> topics = new TreeMap<>();
    private final Map<String, TopicInfo> topicsByName = new HashMap<>();
    private final Map<Long, PartitionInfo[]> partitions = new HashMap<>();
    private final java.util.LinkedHashSet<io.sluice.transport.AclEntry> acls = new java.util.LinkedHashSet<>();
    private long aclVersion;
    private long version;
    private long nextTopicId = 1;

    /**
     * @return the version: how many records have been applied since the cluster began.
     */
    public long version()
    {
        return version;
    }

    /**
     * @return the id the next created topic gets.
     */
    public long nextTopicId()
    {
        return nextTopicId;
    }

    /**
     * Drop everything: a full image follows.
     *
     * @param version     the image's version.
     * @param nextTopicId the image's next topic id.
     */
    public void reset(final long version, final long nextTopicId)
    {
        brokers.clear();
        topics.clear();
        topicsByName.clear();
        partitions.clear();
        acls.clear();
        aclVersion++;
        this.version = version;
        this.nextTopicId = nextTopicId;
    }

    /**
     * Apply one record.
     *
     * @param record  to apply.
     * @param version the version it brings the image to.
     */
    public void apply(final MetadataRecord record, final long version)
    {
        if (record instanceof BrokerInfo broker)
        {
            brokers.put(broker.nodeId(), broker);
        }
        else if (record instanceof TopicInfo topic)
        {
            final TopicInfo previous = topics.put(topic.topicId(), topic);
            if (null == previous)
            {
                partitions.put(topic.topicId(), new PartitionInfo[topic.partitionCount()]);
            }
            topicsByName.put(topic.name(), topic);
            nextTopicId = Math.max(nextTopicId, topic.topicId() + 1);
        }
        else if (record instanceof PartitionInfo partition)
        {
            final PartitionInfo[] ofTopic = partitions.get(partition.topicId());
            if (null == ofTopic || partition.partition() < 0 || partition.partition() >= ofTopic.length)
            {
                throw new IllegalStateException("partition record for no such topic partition: " + partition);
            }
            ofTopic[partition.partition()] = partition;
        }
        else if (record instanceof AclChange change)
        {
            if (change.added())
            {
                acls.add(change.acl());
            }
            else
            {
                acls.remove(change.acl());
            }
            aclVersion++;
        }
        else if (record instanceof TopicRemoved removed)
        {
            final TopicInfo topic = topics.remove(removed.topicId());
            if (null != topic)
            {
                topicsByName.remove(topic.name());
                partitions.remove(topic.topicId());
            }
        }
        this.version = version;
    }

    /**
     * @return the ACLs, in the order they were added.
     */
    public Collection<io.sluice.transport.AclEntry> acls()
    {
        return Collections.unmodifiableCollection(acls);
    }

    /**
     * @param acl an ACL.
     * @return whether the metadata has it.
     */
    public boolean hasAcl(final io.sluice.transport.AclEntry acl)
    {
        return acls.contains(acl);
    }

    /**
     * @return a number that changes whenever the ACLs may have: cached decisions older than it are stale.
     */
    public long aclVersion()
    {
        return aclVersion;
    }

    /**
     * @param nodeId of the broker.
     * @return the broker, or null if it never registered.
     */
    public BrokerInfo broker(final int nodeId)
    {
        return brokers.get(nodeId);
    }

    /**
     * @return every registered broker, in node id order.
     */
    public Collection<BrokerInfo> brokers()
    {
        return Collections.unmodifiableCollection(brokers.values());
    }

    /**
     * @return the node ids of the alive brokers, in order.
     */
    public List<Integer> aliveBrokers()
    {
        final List<Integer> alive = new ArrayList<>();
        for (final BrokerInfo broker : brokers.values())
        {
            if (broker.alive())
            {
                alive.add(broker.nodeId());
            }
        }
        return alive;
    }

    /**
     * @param nodeId of a broker.
     * @return whether it is registered and alive.
     */
    public boolean isAlive(final int nodeId)
    {
        final BrokerInfo broker = brokers.get(nodeId);
        return null != broker && broker.alive();
    }

    /**
     * @param name of a topic.
     * @return the topic, or null.
     */
    public TopicInfo topic(final String name)
    {
        return topicsByName.get(name);
    }

    /**
     * @param topicId of a topic.
     * @return the topic, or null.
     */
    public TopicInfo topic(final long topicId)
    {
        return topics.get(topicId);
    }

    /**
     * @return every topic, in id order.
     */
    public Collection<TopicInfo> topics()
    {
        return Collections.unmodifiableCollection(topics.values());
    }

    /**
     * @param topicId   the topic.
     * @param partition the partition.
     * @return its state, or null if there is no such partition.
     */
    public PartitionInfo partition(final long topicId, final int partition)
    {
        final PartitionInfo[] ofTopic = partitions.get(topicId);
        return null == ofTopic || partition < 0 || partition >= ofTopic.length ? null : ofTopic[partition];
    }

    /**
     * Visit every partition, topics in id order, partitions in order.
     *
     * @param visitor to call.
     */
    public void forEachPartition(final Consumer<PartitionInfo> visitor)
    {
        for (final TopicInfo topic : topics.values())
        {
            for (final PartitionInfo partition : partitions.get(topic.topicId()))
            {
                if (null != partition)
                {
                    visitor.accept(partition);
                }
            }
        }
    }

    /**
     * Visit the image as the records that rebuild it: brokers, the ACLs, then each topic followed by its partitions.
     *
     * @param visitor to call.
     */
    public void forEachRecord(final Consumer<MetadataRecord> visitor)
    {
        brokers.values().forEach(visitor);
        for (final io.sluice.transport.AclEntry acl : acls)
        {
            visitor.accept(new AclChange(acl, true));
        }
        for (final TopicInfo topic : topics.values())
        {
            visitor.accept(topic);
            for (final PartitionInfo partition : partitions.get(topic.topicId()))
            {
                if (null != partition)
                {
                    visitor.accept(partition);
                }
            }
        }
    }

    public String toString()
    {
        final StringBuilder text = new StringBuilder("ClusterMetadata{version=").append(version)
            .append(", brokers=").append(brokers.values()).append(", topics=[");
        for (final TopicInfo topic : topics.values())
        {
            text.append(topic.name()).append(List.of(partitions.get(topic.topicId()))).append(' ');
        }
        return text.append("]}").toString();
    }
}
