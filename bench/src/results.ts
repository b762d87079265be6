import type { Part } from './modes.js';
import type { BrokerResult } from './scenarios/broker.js';
import type { ClientResult } from './scenarios/client.js';
import type { SerdeResult } from './scenarios/serde.js';
import type { ShopResult } from './shop.js';
import type { Sustained, SustainedWithin } from './sustained.js';

/** Everything one `npm run bench` measured: written as JSON and rendered into docs/benchmarks.md. */
export interface Results {
  runId: string;
  /** `npm run bench` or `npm run bench -- --quick` (modes.ts); runs before the quick one were full. */
  mode?: 'full' | 'quick';
  /** The parts this run left out (its mode's, or BENCH_ONLY's choice): the page says so where they would be. */
  skipped?: Part[];
  date: string;
  machine: {
    cpu: string;
    cores: number;
    memoryGb: number;
    os: string;
    loadAtStart: number[];
    /** Load average when the measuring ended: other work on the machine shows here. */
    loadAtEnd?: number[];
  };
  versions: Record<string, string>;
  settings: {
    windowSeconds: number;
    /** The drains' window (absent from runs before it had its own: their drains had windowSeconds). */
    drainSeconds?: number;
    warmupSeconds: number;
    clientSeconds: number;
    /** NODE_OPTIONS the service processes ran with (BENCH_NODE_OPTIONS), if the run set them. */
    serviceNodeOptions?: string;
    /** The fixed loads read `orders-ready` during their window (BENCH_LIVE_READER=1), for the reader's stage. */
    liveReader?: boolean;
  };
  wallSeconds: number;
  serde?: SerdeResult;
  broker?: BrokerResult;
  clients: ClientResult[];
  /** Client libraries that could not be measured, with the reason. */
  clientsMissing: { client: string; reason: string }[];
  /** The shop's layout for max, latency and stages: tills and preparers. */
  layout: { tills: number; preparers: number };
  /** Orders waiting before each drain run. */
  backlog: number;
  /** The preparers draining a backlog: their capacity, with no till competing for the cores. */
  max?: ShopResult;
  /** The whole shop's maximum sustained rate (tills included, rates only), and the probes that found it. */
  sustained?: Sustained;
  /** The highest rate the whole shop kept up with a p99 within the goal's, and the further probes that found it. */
  sustainedWithin?: SustainedWithin;
  /** Open-loop loads at fractions of the sustained rate. */
  latency: (ShopResult & { fraction: number })[];
  /** A light fixed load (modes.ts, lightLoad), with Kafka's EndToEndLatency beside it. */
  atLightLoad?: ShopResult;
  /**
   * The load the latency goal is stated at (a share of the goal's sustained rate), with Kafka's
   * EndToEndLatency beside it (runs since the floor was measured).
   */
  atLatencyGoal?: ShopResult;
  /**
   * The latency goal's load with the JDBC sink deployed beside the shop (the stages part): whether the shop
   * and the sink keep up at a live rate, and what a row costs Connect and PostgreSQL there.
   */
  atLatencyGoalWithSink?: ShopResult;
  /** Preparers draining a backlog: 1, 2, 3 processes. */
  scaling: ShopResult[];
  /** 1 and 3 tills flat out, with the layout's preparers. */
  tills: ShopResult[];
  stages: (ShopResult & { stage: string; note?: string })[];
  profile?: ShopResult;
  notes: string[];
}
