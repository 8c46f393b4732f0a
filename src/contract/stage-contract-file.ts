import { JsonFile, Project } from 'projen';
import { StageContract } from './contract';
import { FILES } from '../topology/naming';

/**
 * Writes `.github/stage-contract.json`: the role names, paths and ARNs, environments,
 * stack ids and accepted OIDC subjects, with the package version that produced them.
 * The next synthesis compares against it (the upgrade guard).
 */
export class StageContractFile extends JsonFile {
  constructor(project: Project, contract: StageContract) {
    super(project, FILES.contract, {
      obj: { generatedBy: `${contract.packageName}@${contract.version}`, ...contract },
      marker: true,
      readonly: true,
      newline: true,
    });
  }
}
