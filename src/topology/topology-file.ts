import { JsonFile, Project } from 'projen';
import { StageTopology } from './model';
import { FILES } from './naming';
import { generatedBy } from '../version';

/**
 * Writes the normalised topology, `src/stage/topology.generated.json`: the one input
 * of the consuming repository's CDK app. Read-only; edit `.projenrc.ts` instead.
 */
export class StageTopologyFile extends JsonFile {
  constructor(project: Project, topology: StageTopology) {
    super(project, FILES.topology, {
      obj: { generatedBy: generatedBy(), ...topology },
      marker: true,
      readonly: true,
      newline: true,
    });
  }
}
