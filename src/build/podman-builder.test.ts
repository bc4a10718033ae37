import { runBuilderContract } from './builder.contract.ts';
import { ContainersBuilder } from './containers-builder.ts';

runBuilderContract(new ContainersBuilder('podman'));
