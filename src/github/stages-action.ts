import { Component, Project, YamlFile } from 'projen';
import { StageTopology } from '../topology/model';
import { FILES } from '../topology/naming';
import { generatedBy } from '../version';
import { PinnedYamlFile } from './pins';
import { renderStagesAction } from './render-action';

/**
 * Writes `.github/actions/stages/action.yaml`, the composite action every stage job calls:
 * it maps (stage, account, region) to the stage's IAM role and assumes it through GitHub's
 * OIDC token, logs in to the registry for stages with image access, and fails a stage without
 * a role if any AWS credentials are within its reach. Read-only; edit the topology instead.
 */
export class StagesAction extends Component {
  /** The generated action file. */
  public readonly file: YamlFile;

  /**
   * @param project the project to write the action into
   * @param topology the normalised topology the role table is generated from
   */
  constructor(project: Project, topology: StageTopology) {
    super(project, 'StagesAction');
    const action = renderStagesAction(topology, generatedBy());
    this.file = new PinnedYamlFile(project, FILES.action, {
      obj: action,
      readonly: true,
      marker: true,
      committed: true,
    });
  }
}
