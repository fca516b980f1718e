package io.sluice.broker.group;

import io.sluice.transport.PartitionRef;

import java.util.List;
import java.util.Map;

/**
 * Decides which member of a consumer group reads which partition, as Kafka's partition assignors do. A pure
 * function with no state, called on the broker agent thread when a group rebalances.
 */
public interface Assignor
{
    /**
     * @return the assignor's protocol name: {@code "range"}, {@code "roundrobin"} or {@code "cooperative-sticky"}.
     */
    String name();

    /**
     * @return whether members keep their partitions across a rebalance (cooperative) or give them all up first
     * (eager).
     */
    boolean cooperative();

    /**
     * Assigns the partitions of the topics the members subscribe to.
     *
     * @param members         in any order; at least one, each with its own member id.
     * @param partitionCounts partitions per topic, for every topic any member subscribes to that exists; a
     *                        subscribed topic missing from the map is ignored.
     * @return for every member (every member id present as a key, possibly with an empty list) the partitions it
     * reads, each list sorted; every partition of every subscribed, existing topic goes to exactly one member that
     * subscribes to its topic. The map iterates in member id order and is the caller's to keep.
     * @throws IllegalArgumentException if there are no members or two have the same id.
     */
    Map<String, List<PartitionRef>> assign(List<MemberSubscription> members, Map<String, Integer> partitionCounts);

    /**
     * @param name a protocol name a member proposed.
     * @return the assignor for a protocol name, or null if there is none by that name.
     */
    static Assignor forName(final String name)
    {
        if (null == name)
        {
            return null;
        }

        return switch (name)
        {
            case RangeAssignor.NAME -> new RangeAssignor();
            case RoundRobinAssignor.NAME -> new RoundRobinAssignor();
            case CooperativeStickyAssignor.NAME -> new CooperativeStickyAssignor();
            default -> null;
        };
    }
}
