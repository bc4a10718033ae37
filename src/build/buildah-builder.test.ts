import { runBuilderContract } from './builder.contract.ts';
import { BuildahBuilder } from './buildah-builder.ts';

runBuilderContract(new BuildahBuilder());
