import { runBuilderContract } from './builder.contract.ts';
import { PodmanBuilder } from './podman-builder.ts';

runBuilderContract(new PodmanBuilder());
